#!/usr/bin/env node
// `tstrctl …` is `tstr ctl …`: the binary recognises the name it was started under.
await import("./tstr.mjs");
