import { rpcOverheadBench } from "./rpc-overhead.js";

// `pnpm bench`: every benchmark, each printing ratios against a baseline measured in the same run.
await rpcOverheadBench();
