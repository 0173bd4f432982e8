/** Transform stage: user code that reshapes or drops a delivery, run in a sandboxed Dynamic Worker. */
export { transformFor, transformTask, produce, type TransformDone, type TransformStep, type TransformTask } from "./step";
export { checkTransformLoads, runInSandbox, transformVersion, LOOP_BUDGET, TRANSFORM_CODE_BYTES, TRANSFORM_CPU_MS, TRANSFORM_OUTPUT_BYTES, TRANSFORM_TIMEOUT_MS, type SandboxResult, type TransformEnv } from "./sandbox";
export { applyOutput, targetUrl, transformInput, type Shaped, type ShapeInput, type ShapeResult, type TransformEvent } from "./shape";
export { guardLoops } from "./instrument";
