import { request } from "node:http";
import type { TestImageDocker } from "./busybox-rootfs.js";

/** An error of the Engine API, with its HTTP status like Dockerode's (`statusCode`). */
class DockerApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Just enough of the Docker Engine API over its unix socket to inspect and import test images, for
 * test packages that do not depend on dockerode (the e2e tests). Same shape as Dockerode's calls.
 */
export function dockerSocketClient(socketPath = "/var/run/docker.sock"): TestImageDocker {
  return {
    getImage: (name) => ({
      async inspect() {
        const { status, body } = await call(socketPath, "GET", `/images/${encodeURIComponent(name)}/json`);
        if (status !== 200) throw new DockerApiError(status, `inspecting ${name}: ${body}`);
        return JSON.parse(body) as unknown;
      },
    }),
    importImage(file, options) {
      const { repo, tag, changes = [] } = options as { repo: string; tag: string; changes?: string[] };
      const query = new URLSearchParams({ fromSrc: "-", repo, tag });
      for (const change of changes) query.append("changes", change);
      return new Promise((resolve, reject) => {
        const post = request(
          {
            socketPath,
            method: "POST",
            path: `/images/create?${query}`,
            headers: { "content-type": "application/x-tar" },
          },
          (response) => {
            if (response.statusCode === 200) return resolve(response);
            let text = "";
            response.on("data", (chunk) => (text += chunk));
            response.on("end", () =>
              reject(new DockerApiError(response.statusCode ?? 0, `importing ${repo}: ${text}`)),
            );
          },
        );
        post.on("error", reject);
        file.pipe(post);
      });
    },
  };
}

function call(socketPath: string, method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
