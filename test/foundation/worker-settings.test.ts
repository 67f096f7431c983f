import { ConfigError, loadConfig, WORKER_DEFAULTS } from '../../infra/config';
import { DEFAULT_WORKFLOW_BUNDLE_PATH, workerTuning } from '../../worker/create-worker';

describe('worker settings (issue 15: chosen by the open bench)', () => {
  it('defaults to WORKER_DEFAULTS', () => {
    expect(workerTuning(loadConfig({}))).toEqual({
      maxCachedWorkflows: WORKER_DEFAULTS.maxCachedWorkflows,
      maxConcurrentWorkflowTaskExecutions: WORKER_DEFAULTS.maxConcurrentWorkflowTasks,
      maxConcurrentActivityTaskExecutions: WORKER_DEFAULTS.maxConcurrentActivities,
      reuseV8Context: WORKER_DEFAULTS.reuseV8Context,
      stickyQueueScheduleToStartTimeout: WORKER_DEFAULTS.stickyTimeoutMs,
    });
  });

  it('each WORKER_* variable overrides its default; workflow task slots never exceed the cache', () => {
    const t = workerTuning(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '8', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '50', WORKER_MAX_CONCURRENT_ACTIVITIES: '7', WORKER_REUSE_V8_CONTEXT: 'false', WORKER_STICKY_TIMEOUT_MS: '9000' }));
    expect(t).toEqual({ maxCachedWorkflows: 8, maxConcurrentWorkflowTaskExecutions: 8, maxConcurrentActivityTaskExecutions: 7, reuseV8Context: false, stickyQueueScheduleToStartTimeout: 9000 });
  });

  it.each([
    ['WORKER_MAX_CACHED_WORKFLOWS', '0'],
    ['WORKER_MAX_CONCURRENT_WORKFLOW_TASKS', '1'],
    ['WORKER_MAX_CONCURRENT_ACTIVITIES', 'many'],
    ['WORKER_REUSE_V8_CONTEXT', 'yes'],
    ['WORKER_STICKY_TIMEOUT_MS', '10'],
  ])('a bad %s stops start-up naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}:`));
  });

  it('from the clone (tsx, jest) the build bundle is dist/workflow-bundle.js', () => {
    expect(DEFAULT_WORKFLOW_BUNDLE_PATH.endsWith('/dist/workflow-bundle.js')).toBe(true);
  });
});
