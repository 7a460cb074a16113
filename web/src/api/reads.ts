// Reads that several screens share: the cache key, which the event handlers
// in app/session.ts invalidate, and the call, in one place.

import { useResource } from '../lib/resource';
import { api } from './client';

export const useUsers = () => useResource('users', () => api('get', '/users'));
export const useGroups = () => useResource('groups', () => api('get', '/groups'));
