/**
 * simdnet's data layer: seeded randomness, toy datasets, MNIST from IDX bytes, CSV tables,
 * splits and scaling, mini-batch loading with augmentation, hyper-parameter search.
 *
 * Independent of the engine: everything here produces and consumes plain typed arrays —
 * features as Float32Array (row-major, images NCHW), class labels as Int32Array.
 *
 * This entry point is browser-safe. File loading for Node (`loadMnist`, `loadMnistSync`,
 * `mnistDataDir`) lives in `./mnist-node.js`, which imports `node:` modules.
 *
 * @module
 */

export { Rng, toRng, portableLog, type RngState } from "./random.js";

export {
  makeMoons,
  makeCircles,
  makeBlobs,
  makePlaygroundCircle,
  makeXor,
  makeGaussian,
  makeSpiral,
  playgroundDataset,
  expandFeatures,
  withFeatures,
  PLAYGROUND_FEATURES,
  type Dataset,
  type GeneratorOptions,
  type BlobsOptions,
  type PlaygroundDatasetName,
  type PlaygroundFeature,
} from "./datasets.js";

export {
  splitIndices,
  take,
  trainTestSplit,
  trainValTestSplit,
  fitStandardizer,
  standardize,
  fitMinMax,
  minMaxScale,
  bytesToUnit,
  normalizeChannels,
  type Samples,
  type Targets,
  type SplitOptions,
  type TrainTest,
  type TrainValTest,
  type Standardizer,
  type MinMaxScaler,
} from "./split.js";

export { parseIdx, decodeIdx, encodeIdx, gunzipIfNeeded, isGzip, type IdxArray } from "./idx.js";

export {
  parseMnist,
  decodeMnist,
  fetchMnist,
  MNIST_FILES,
  MNIST_MEAN,
  MNIST_STD,
  type Mnist,
  type MnistParseOptions,
} from "./mnist.js";

export { DataLoader, type Batch, type BatchHook, type DataLoaderOptions } from "./loader.js";

export {
  randomShift,
  randomCrop,
  randomHorizontalFlip,
  colorJitter,
  composeAugmentations,
  augmentation,
  type Augmentation,
  type ColorJitterOptions,
} from "./augment.js";

export { parseCsv, type CsvOptions, type CsvDataset, type ColumnRef } from "./csv.js";

export {
  gridSearch,
  randomSearch,
  runSearch,
  gridConfigs,
  sampleConfig,
  formatTable,
  type Config,
  type ParamValue,
  type Grid,
  type Space,
  type Distribution,
  type Sampled,
  type SearchResult,
  type SearchOptions,
} from "./search.js";
