import { SubspaceModel } from '../subspace/subspace-model';
import { LoadedModel } from './loaded-model';

/** A model the registry serves: a TF.js autoencoder or a fleet subspace (metadata.kind). */
export type ServedModel = LoadedModel | SubspaceModel;

export function isSubspaceModel(model: ServedModel): model is SubspaceModel {
  return model instanceof SubspaceModel;
}
