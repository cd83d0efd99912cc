import type { Endpoint } from './endpoint.js';

/**
 * The body of `POST /records`. `updateOld[i]` and `updateNew[i]` are the same
 * record before and after. Always complete lists here: the wire's missing,
 * `null` and differently-cased keys are normalised away by the DTO layer.
 */
export interface Changes {
  create: Endpoint[];
  updateOld: Endpoint[];
  updateNew: Endpoint[];
  delete: Endpoint[];
}

export function emptyChanges(): Changes {
  return { create: [], updateOld: [], updateNew: [], delete: [] };
}

export function countChanges(changes: Changes): number {
  return changes.create.length + changes.updateNew.length + changes.delete.length;
}
