/**
 * `${VAR}` interpolation of environment variables into the string values of a YAML document, so
 * secrets are referenced from the file and never written in it. Keys are never interpolated.
 *
 * Forms: `${VAR}` (an error when unset), `${VAR:-default}` (the default when unset or empty),
 * `${VAR:?message}` (an error with that message when unset or empty), and `$${` for a literal `${`.
 */

export interface InterpolationResult {
  readonly value: string;
  /** Names of variables that were needed but not set, with the message to show for each. */
  readonly missing: readonly { readonly name: string; readonly message: string }[];
  /** Names of every variable the value referred to. */
  readonly used: readonly string[];
}

const pattern = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g;

/** Replaces the references in one string; pure, given the environment. */
export function interpolate(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): InterpolationResult {
  const missing: { name: string; message: string }[] = [];
  const used: string[] = [];
  const value = text.replace(
    pattern,
    (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (whole === '$${') return '${';
      if (name === undefined) return whole;
      used.push(name);
      const current = env[name];
      if (op === ':-') return current === undefined || current === '' ? (arg ?? '') : current;
      if (op === ':?') {
        if (current === undefined || current === '') {
          missing.push({
            name,
            message:
              arg !== undefined && arg !== '' ? arg : `environment variable ${name} is not set`,
          });
          return '';
        }
        return current;
      }
      if (current === undefined) {
        missing.push({ name, message: `environment variable ${name} is not set` });
        return '';
      }
      return current;
    },
  );
  return { value, missing, used };
}

/** True when a string contains a `${…}` reference (used to tell literal secrets from referenced ones). */
export function hasReference(text: string): boolean {
  return /\$\{[A-Za-z_]/.test(text.replaceAll('$${', ''));
}
