/**
 * Signals a workload's whole process group (the workload runs detached, as its own group leader),
 * so children and grandchildren a test script spawned are stopped along with it. A group that is
 * already gone is not an error: stop and remove race with the workload's own exit.
 */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/** Whether a process exists; EPERM means it does but belongs to someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
