/** A payload of Docker's multiplexed attach/logs stream, tagged with the stream it came from. */
export interface DockerStreamFrame {
  stream: "stdout" | "stderr";
  data: Uint8Array;
}

const HEADER_BYTES = 8;

/**
 * Splits Docker's multiplexed stream (non-TTY attach): each frame is an 8-byte header — stream
 * type in byte 0 (1 stdout, 2 stderr), payload size big-endian in bytes 4–7 — then the payload.
 * Our own instead of `modem.demuxStream` because we need each frame tagged in arrival order
 * rather than two pass-through streams, and frames can straddle network reads in any place.
 */
export function createDockerStreamDemuxer(onFrame: (frame: DockerStreamFrame) => void) {
  let pending = new Uint8Array(0);

  return {
    write(bytes: Uint8Array): void {
      let buffer = pending.length === 0 ? bytes : concat(pending, bytes);
      while (buffer.length >= HEADER_BYTES) {
        const size = new DataView(buffer.buffer, buffer.byteOffset, HEADER_BYTES).getUint32(4);
        if (buffer.length < HEADER_BYTES + size) break;
        const type = buffer[0];
        const data = buffer.slice(HEADER_BYTES, HEADER_BYTES + size);
        if ((type === 1 || type === 2) && size > 0) onFrame({ stream: type === 1 ? "stdout" : "stderr", data });
        buffer = buffer.subarray(HEADER_BYTES + size);
      }
      pending = buffer.slice();
    },
    /** Bytes of an incomplete frame still held (non-zero at stream end means a truncated stream). */
    pendingBytes: () => pending.length,
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
