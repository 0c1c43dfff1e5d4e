/** The recommender model families. */
import { registerModel } from './registry.js';
import { MatrixFactorization, type MFConfig } from './mf.js';
import { DeepMF, type DeepMFConfig } from './deepmf.js';
import { SVDpp, type SVDppConfig } from './svdpp.js';

registerModel('MatrixFactorization', (c) => new MatrixFactorization(c as unknown as MFConfig), MatrixFactorization);
registerModel('DeepMF', (c) => new DeepMF(c as unknown as DeepMFConfig), DeepMF);
// the training histories come back from the checkpoint's buffers (config.historyNnz sizes them)
registerModel('SVDpp', (c) => new SVDpp(c as unknown as SVDppConfig), SVDpp);

export { MatrixFactorization, MF_RATING_DEFAULTS, type MFConfig } from './mf.js';
export { SVDpp, SVDPP_RATING_DEFAULTS, type SVDppConfig, type SVDppData } from './svdpp.js';
export { DeepMF, type DeepMFConfig, type SideFeature, ratingToClass, classToRating } from './deepmf.js';
export { Recommender, type ModelMeta, type RecommendOptions } from './recommender.js';
export { TopK } from './serving.js';
export { registerModel, modelNames, registeredName, type Factory as ModelFactory } from './registry.js';

// implicit-feedback and user-level families
import { ImplicitMF, type ImplicitMFConfig } from './implicit-mf.js';
import { EmbeddingModel, type EmbeddingModelConfig } from './embedding-model.js';
import { DSSM, type DSSMConfig } from './dssm.js';
import { MultiLabel, type MultiLabelConfig } from './multilabel.js';
import { AutoEncoder, type AutoEncoderConfig } from './autoencoder.js';
import { MultVAE, type MultVAEConfig } from './vae.js';
import { EASE, type EASEConfig } from './ease.js';
import { ItemKNN, type ItemKNNConfig } from './item-knn.js';

registerModel('ImplicitMF', (c) => new ImplicitMF(c as unknown as ImplicitMFConfig), ImplicitMF);
registerModel('EmbeddingModel', (c) => new EmbeddingModel(c as unknown as EmbeddingModelConfig), EmbeddingModel);
// the item text features come back from the checkpoint's buffers (config.itemFeatureNnz sizes them)
registerModel('DSSM', (c) => new DSSM(c as unknown as DSSMConfig), DSSM);
registerModel('MultiLabel', (c) => new MultiLabel(c as unknown as MultiLabelConfig), MultiLabel);
registerModel('AutoEncoder', (c) => new AutoEncoder(c as unknown as AutoEncoderConfig), AutoEncoder);
registerModel('MultVAE', (c) => new MultVAE(c as unknown as MultVAEConfig), MultVAE);
registerModel('EASE', (c) => new EASE(c as unknown as EASEConfig), EASE);
registerModel('ItemKNN', (c) => new ItemKNN(c as unknown as ItemKNNConfig), ItemKNN);

export { ImplicitMF, IMPLICIT_LOSSES, type ImplicitMFConfig, type ImplicitLoss } from './implicit-mf.js';
export { EmbeddingModel, type EmbeddingModelConfig, type Scoring } from './embedding-model.js';
export { DSSM, type DSSMConfig, type DSSMData } from './dssm.js';
export { MultiLabel, type MultiLabelConfig, type HiddenActivation } from './multilabel.js';
export { AutoEncoder, type AutoEncoderConfig, type InputOrder } from './autoencoder.js';
export { MultVAE, annealedBeta, type MultVAEConfig } from './vae.js';
export { UserRowModel, normalizeRows } from './user-rows.js';
export { EASE, EASE_DEFAULTS, fitEASE, easeWeights, type EASEConfig } from './ease.js';
export { ItemKNN, ITEM_KNN_DEFAULTS, fitItemKNN, type ItemKNNConfig } from './item-knn.js';
export { itemGram, cosineNeighbours as itemNeighbours, type NeighbourOptions } from './item-similarity.js';
export { FoldIn, foldIn, type FoldInModel, type FoldInOptions } from './fold-in.js';
export { predictRatings, evaluateRatings, clipRating, ratingScaleOf, type RatingEvaluation, type RatingPredictOptions } from './rating-eval.js';
export {
  trainRatings, trainUserRows, trainImplicitMF, trainEmbeddingModel, IMPLICIT_MF_DEFAULTS, IMPLICIT_MF_BPR_DEFAULTS, buildRatingModel, ratingBatches, rowBatchSize, validationUsers, TRAINING_DEFAULTS, RATING_MODELS, ROW_MODELS, VAE_EMA,
  type RatingModelKind, type RowModelKind, type TrainingDefaults, type RecipeOptions, type RatingRecipeOptions,
  type RatingRecipeResult, type RowRecipeOptions, type RowRecipeResult, type ImplicitRecipeOptions, type ImplicitRecipeResult, type EmbeddingRecipeResult, type PreparedModel,
} from './recipes.js';
