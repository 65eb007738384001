import { describe, expect, it } from "vitest";
import { createDockerStreamDemuxer, type DockerStreamFrame } from "./docker-stream-demuxer.js";

function frame(type: number, text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + payload.length);
  bytes[0] = type;
  new DataView(bytes.buffer).setUint32(4, payload.length);
  bytes.set(payload, 8);
  return bytes;
}

function demux(pieces: Uint8Array[]) {
  const frames: { stream: DockerStreamFrame["stream"]; text: string }[] = [];
  const demuxer = createDockerStreamDemuxer((f) =>
    frames.push({ stream: f.stream, text: new TextDecoder().decode(f.data) }),
  );
  for (const piece of pieces) demuxer.write(piece);
  return { frames, pending: demuxer.pendingBytes() };
}

describe("createDockerStreamDemuxer", () => {
  const whole = Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, "out 2\n"), frame(0, "stdin")]);
  const expected = [
    { stream: "stdout", text: "out 1\n" },
    { stream: "stderr", text: "err 1\n" },
    { stream: "stdout", text: "out 2\n" },
  ];

  it("splits frames arriving in one read", () => {
    expect(demux([whole])).toEqual({ frames: expected, pending: 0 });
  });

  it("reassembles frames split at every possible position", () => {
    for (let cut = 1; cut < whole.length; cut++) {
      expect(demux([whole.subarray(0, cut), whole.subarray(cut)])).toEqual({ frames: expected, pending: 0 });
    }
  });

  it("reassembles frames fed byte by byte", () => {
    expect(demux([...whole].map((byte) => Uint8Array.of(byte)))).toEqual({ frames: expected, pending: 0 });
  });

  it("holds a truncated frame as pending", () => {
    expect(demux([whole.subarray(0, 10)]).pending).toBe(10);
  });
});
