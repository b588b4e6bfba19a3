import type { ResourceDef } from '../resource-def';
import { zones, routes, sites } from './geography';
import { devices, shifts, teams, users, vehicles, workers } from './operations';
import { agencies, contracts, operators } from './tenants';

/** Every CRUD resource of the API, in the order the OpenAPI document lists them. */
export const RESOURCE_DEFS: ResourceDef[] = [
  operators,
  agencies,
  contracts,
  zones,
  routes,
  sites,
  vehicles,
  teams,
  workers,
  devices,
  shifts,
  users,
] as ResourceDef[];

export {
  agencies,
  contracts,
  devices,
  operators,
  routes,
  shifts,
  sites,
  teams,
  users,
  vehicles,
  workers,
  zones,
};
