/**
 * Model files, browser-safe entry: safetensors encode/decode and the architecture description.
 * Disk access (saveModel, loadModel, loadWeights) is in `./node.js`; the stores behind
 * `Model.save` / `Model.load` (IndexedDB, URL, Blob, and folders through process.getBuiltinModule)
 * are in `./stores.js`.
 *
 * @module
 */
export { encodeSafetensors, decodeSafetensors, type Safetensors } from "./safetensors.js";
export {
  MODEL_FORMAT, MODEL_VERSION, describeModel, checkDescription, parseDescription, buildModule,
  modelToBytes, modelFromBytes, loadWeightsFromBytes, type ModelDescription, type LoadedModel,
} from "./model.js";
export {
  modelStore, indexedDbStore, urlStore, blobStore, folderStore,
  type ModelStore, type StoredModel, type ModelTarget, type ModelSource,
} from "./stores.js";
export {
  exportOnnx, exportModule, registerOnnxExporter, ONNX_EXPORTERS, ONNX_OPSET, OnnxGraph,
  type OnnxExportOptions, type OnnxExporter, type OnnxValue, type OnnxAttribute,
} from "./onnx.js";
