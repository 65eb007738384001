import { applyCommand } from "../commands/apply.js";
import { configCurrentContextCommand } from "../commands/config-current-context.js";
import { configGetContextsCommand } from "../commands/config-get-contexts.js";
import { configSetContextCommand } from "../commands/config-set-context.js";
import { configUseContextCommand } from "../commands/config-use-context.js";
import { execCancelCommand } from "../commands/exec-cancel.js";
import { execCompleteCommand } from "../commands/exec-complete.js";
import { execListCommand } from "../commands/exec-list.js";
import { execRegisterCommand } from "../commands/exec-register.js";
import { executorDeleteCommand } from "../commands/executor-delete.js";
import { executorGetCommand } from "../commands/executor-get.js";
import { executorListCommand } from "../commands/executor-list.js";
import { identityCommand } from "../commands/identity.js";
import { k6ReportCommand } from "../commands/k6-report.js";
import { k6SearchCommand } from "../commands/k6-search.js";
import { k6StatsCommand } from "../commands/k6-stats.js";
import { logsCommand } from "../commands/logs.js";
import { runCancelCommand } from "../commands/run-cancel.js";
import { runGetCommand } from "../commands/run-get.js";
import { runListCommand } from "../commands/run-list.js";
import { runScheduleCommand } from "../commands/run-schedule.js";
import { runnerDeleteCommand } from "../commands/runner-delete.js";
import { runnerGetCommand } from "../commands/runner-get.js";
import { runnerListCommand } from "../commands/runner-list.js";
import { suiteDeleteCommand } from "../commands/suite-delete.js";
import { suiteGetCommand } from "../commands/suite-get.js";
import { suiteListCommand } from "../commands/suite-list.js";
import { suiteRunCommand } from "../commands/suite-run.js";
import { testApplyCommand } from "../commands/test-apply.js";
import { testDeleteCommand } from "../commands/test-delete.js";
import { testGetCommand } from "../commands/test-get.js";
import { testListCommand } from "../commands/test-list.js";
import { testPauseCommand, testResumeCommand } from "../commands/test-schedule-pause.js";
import { tokenGetCommand } from "../commands/token-get.js";
import { tokenIssueCommand } from "../commands/token-issue.js";
import { tokenListCommand } from "../commands/token-list.js";
import { tokenRevokeCommand } from "../commands/token-revoke.js";
import { webhookApplyCommand } from "../commands/webhook-apply.js";
import { webhookDeleteCommand } from "../commands/webhook-delete.js";
import { webhookDeliveriesCommand } from "../commands/webhook-deliveries.js";
import { webhookListCommand } from "../commands/webhook-list.js";
import type { CommandGroup, CommandSpec } from "./command-spec.js";

/** Every leaf command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [
  identityCommand,
  logsCommand,
  applyCommand,
  testApplyCommand,
  testGetCommand,
  testListCommand,
  testDeleteCommand,
  testPauseCommand,
  testResumeCommand,
  suiteListCommand,
  suiteGetCommand,
  suiteRunCommand,
  suiteDeleteCommand,
  executorListCommand,
  executorGetCommand,
  executorDeleteCommand,
  runScheduleCommand,
  runListCommand,
  runGetCommand,
  runCancelCommand,
  execRegisterCommand,
  execCompleteCommand,
  execCancelCommand,
  execListCommand,
  k6ReportCommand,
  k6SearchCommand,
  k6StatsCommand,
  runnerListCommand,
  runnerGetCommand,
  runnerDeleteCommand,
  webhookApplyCommand,
  webhookListCommand,
  webhookDeliveriesCommand,
  webhookDeleteCommand,
  tokenIssueCommand,
  tokenListCommand,
  tokenGetCommand,
  tokenRevokeCommand,
  configSetContextCommand,
  configUseContextCommand,
  configGetContextsCommand,
  configCurrentContextCommand,
];

/** The words that group leaf commands. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { name: "test", summary: "Apply, list, inspect and delete tests" },
  { name: "suite", summary: "List, inspect, run and delete suites (apply them with `tstrctl apply`)" },
  {
    name: "executor",
    summary: "List, inspect and delete executor presets such as k6 and newman (apply them with `tstrctl apply`)",
  },
  { name: "run", summary: "Schedule runs (and wait for them), list, inspect and cancel runs" },
  { name: "exec", summary: "Register, complete, cancel and list executions of tests run outside tstr" },
  { name: "k6", summary: "Read k6 load-test reports, search k6 runs and summarise their findings" },
  { name: "runner", summary: "List, inspect and delete runner agents" },
  { name: "webhook", summary: "Send run events to HTTP endpoints: apply, list and delete webhooks, read deliveries" },
  { name: "token", summary: "Issue, list, inspect and revoke access tokens" },
  { name: "config", summary: "Manage named connection contexts" },
];
