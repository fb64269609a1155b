/**
 * Noise learned from a baseline, the way Diffy learns it: the same request is sent to the baseline
 * twice, and whatever differs between those two answers cannot be a regression — for that route
 * template and JSON path, for every request of the route. Pure: the replayer sends, this learns.
 */
import { diffResponses, type ResponseSample } from './diff-responses.js';
import { NO_NOISE, type LearnedNoise } from './noise-model.js';

/** Collects the paths two baseline answers disagreed on, by route. */
export class NoiseLearner {
  readonly #paths = new Map<string, Set<string>>();
  #pairs = 0;

  /** Learns from two answers of the baseline to one request; returns the paths they disagreed on. */
  learn(
    route: string,
    method: string,
    headers: readonly string[],
    first: ResponseSample,
    second: ResponseSample,
    at: number,
  ): readonly string[] {
    this.#pairs += 1;
    const { differences } = diffResponses(first, second, NO_NOISE, {
      route,
      method,
      headers,
      recordedAt: at,
      replayedAt: at,
    });
    if (differences.length === 0) return [];
    let paths = this.#paths.get(route);
    if (paths === undefined) {
      paths = new Set();
      this.#paths.set(route, paths);
    }
    const general = [...new Set(differences.map((d) => d.general))];
    for (const path of general) paths.add(path);
    return general;
  }

  /** The noise learned so far (a live view: later lessons show up in it). */
  get learned(): LearnedNoise {
    return this.#paths;
  }

  /** How many answer pairs were compared. */
  get pairs(): number {
    return this.#pairs;
  }

  /** What was learned, sorted, for the report. */
  summary(): { readonly route: string; readonly paths: readonly string[] }[] {
    return [...this.#paths]
      .map(([route, paths]) => ({ route, paths: [...paths].sort() }))
      .sort((a, b) => a.route.localeCompare(b.route));
  }
}
