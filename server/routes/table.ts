import { auditRoutes } from './audit';
import { certificateRoutes } from './certificates';
import { deviceGroupRoutes } from './device-groups';
import { deviceRoutes } from './devices';
import { enrolRoutes } from './enrol';
import { jobRoutes } from './jobs';
import { healthRoute, openApiRoute } from './meta';
import { policyRoutes } from './policies';
import type { Route } from './route';
import { stationRoutes } from './stations';
import { syncRoutes } from './sync';
import { tokenRoutes } from './tokens';
import { userRoutes } from './users';

/**
 * Every route the server answers. The router, the access check and the OpenAPI document are all
 * made from this list, so a route cannot be served without its guard or its documentation.
 */
export const routeTable: readonly Route[] = [
  healthRoute,
  openApiRoute(() => routeTable),
  ...enrolRoutes,
  ...syncRoutes,
  ...stationRoutes,
  ...deviceRoutes,
  ...certificateRoutes,
  ...jobRoutes,
  ...auditRoutes,
  ...deviceGroupRoutes,
  ...policyRoutes,
  ...userRoutes,
  ...tokenRoutes,
];
