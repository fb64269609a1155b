/** Every route of the API, in the order the OpenAPI document lists them. */
import type { Route } from '../route.js';
import { peopleRoutes } from './people-routes.js';
import { releaseRoutes } from './release-routes.js';
import { reportRoutes } from './report-routes.js';
import { systemRoutes } from './system-routes.js';

export function allRoutes(): Route[] {
  return [...systemRoutes(), ...reportRoutes(), ...releaseRoutes(), ...peopleRoutes()];
}
