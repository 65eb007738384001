export { containerLabelKeys, containerLabels } from "./container-labels.js";
export { type ContainerOptionsContext, DEFAULT_WORKING_DIR, toContainerOptions } from "./container-options.js";
export { createDockerExecutor, type DockerExecutorOptions } from "./docker-executor.js";
