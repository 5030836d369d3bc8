// Public entry of the WeShop/Wiro provider simulator, used in-process by workerd tests and by simulator/server.ts.

export { createSimulator } from "./app.ts";
export type { CapturedRequest, Fault, FaultKind, FaultTarget, SimOptions, SimTask, Simulator } from "./types.ts";
export { wiroSignature } from "./wiro-http.ts";
