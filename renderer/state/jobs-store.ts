import { create } from 'zustand';
import type {
  CallInput,
  CallOutput,
  DeviceGroup,
  Job,
  JobOptions,
  Policy,
  Result,
  StationErrorShape,
} from '../../preload/contract';
import { client } from '../api/client';
import { useAuth } from './auth-store';

export type JobRowProblem = CallOutput<'jobs.problems'>[number];

/** How many problem rows one page asks for; "Load more" asks for the next. */
export const problemPageSize = 50;

interface JobsState {
  /** Newest first, as the station lists them; live updates replace a job in place. */
  jobs: Job[];
  loaded: boolean;
  error: StationErrorShape | null;
  /** What a new job can name: the groups and policies this person may read. */
  groups: DeviceGroup[];
  policies: Policy[];
  /** The job shown in detail. */
  openId: string | null;
  /** The open job's invalid and failed rows, loaded page by page. */
  problems: JobRowProblem[];
  problemsFor: string | null;
  moreProblems: boolean;
  loadList(): Promise<void>;
  loadChoices(can: { groups: boolean; policies: boolean }): Promise<void>;
  /** A job as the station pushed it ('jobs.changed' carries the whole job). */
  apply(job: Job): void;
  open(id: string | null): void;
  loadProblems(more?: boolean): Promise<void>;
  /** Uploads the file and creates the job from it; the job opens. */
  create(file: File, options: JobOptions, onProgress: (sent: number) => void): Promise<Result<Job>>;
  start(input: CallInput<'jobs.start'>): Promise<StationErrorShape | null>;
  cancel(id: string): Promise<StationErrorShape | null>;
}

const empty = {
  jobs: [],
  loaded: false,
  error: null,
  groups: [],
  policies: [],
  openId: null,
  problems: [],
  problemsFor: null,
  moreProblems: false,
} satisfies Partial<JobsState>;

/** Counts sign-ins: an answer to a call made for an earlier session is dropped, not shown. */
let sessionGeneration = 0;

/**
 * How many pushes each job has had. A call's answer (jobs.create, start, cancel) may arrive after
 * a push that is newer than it (a small job completes before start's answer is read), so an
 * answer is kept only when no push for that job came while the call was out.
 */
const pushes = new Map<string, number>();

/** Runs a call that answers a job, and keeps the answer unless a push overtook it. */
async function callForJob(
  id: string | null,
  run: () => Promise<Result<Job>>,
  keep: (job: Job) => void,
): Promise<Result<Job>> {
  const before = id === null ? 0 : (pushes.get(id) ?? 0);
  const result = await run();
  if (result.ok && (pushes.get(result.value.id) ?? 0) === before) keep(result.value);
  return result;
}

/** A state whose rows may have new problems to show: validation or a run just ended. */
const settledStates: ReadonlySet<Job['state']> = new Set([
  'validated',
  'rejected',
  'completed',
  'cancelled',
  'interrupted',
]);

export const useJobs = create<JobsState>((set, get) => {
  /** Puts a job into the list (replacing its older copy) and follows up on the open job. */
  const merge = (job: Job) => {
    const before = get().jobs.find((j) => j.id === job.id);
    const jobs = before ? get().jobs.map((j) => (j.id === job.id ? job : j)) : [job, ...get().jobs];
    set({ jobs });
    // The open job's rows change as validation or a run ends: read its problems afresh.
    if (job.id === get().openId && before?.state !== job.state && settledStates.has(job.state)) {
      void get().loadProblems();
    }
  };

  return {
    ...empty,
    async loadList() {
      const generation = sessionGeneration;
      const result = await client().call('jobs.list', {});
      if (generation !== sessionGeneration) return;
      if (result.ok) set({ jobs: result.value, loaded: true, error: null });
      else set({ error: result.error, loaded: true });
    },
    async loadChoices(can) {
      const generation = sessionGeneration;
      const [groups, policies] = await Promise.all([
        can.groups ? client().call('deviceGroups.list', {}) : null,
        can.policies ? client().call('policies.list', {}) : null,
      ]);
      if (generation !== sessionGeneration) return;
      set({
        ...(groups?.ok ? { groups: groups.value } : {}),
        ...(policies?.ok ? { policies: policies.value } : {}),
      });
    },
    apply(job) {
      pushes.set(job.id, (pushes.get(job.id) ?? 0) + 1);
      merge(job);
    },
    open(id) {
      set({ openId: id, problems: [], problemsFor: null, moreProblems: false });
      if (id) void get().loadProblems();
    },
    async loadProblems(more = false) {
      const id = get().openId;
      if (!id) return;
      const generation = sessionGeneration;
      const kept = more && get().problemsFor === id ? get().problems : [];
      const afterLine = kept.at(-1)?.line ?? 0;
      const result = await client().call('jobs.problems', { id, afterLine, limit: problemPageSize });
      if (generation !== sessionGeneration || get().openId !== id) return;
      if (!result.ok) return set({ error: result.error });
      set({
        problems: [...kept, ...result.value],
        problemsFor: id,
        moreProblems: result.value.length === problemPageSize,
      });
    },
    async create(file, options, onProgress) {
      const generation = sessionGeneration;
      const uploaded = await client().upload(file, onProgress);
      if (!uploaded.ok) return uploaded;
      const created = await callForJob(
        null,
        () => client().call('jobs.create', { uploadId: uploaded.value.uploadId, inputName: file.name, options }),
        merge,
      );
      if (created.ok && generation === sessionGeneration) get().open(created.value.id);
      return created;
    },
    async start(input) {
      const result = await callForJob(input.id, () => client().call('jobs.start', input), merge);
      return result.ok ? null : result.error;
    },
    async cancel(id) {
      const result = await callForJob(id, () => client().call('jobs.cancel', { id }), merge);
      return result.ok ? null : result.error;
    },
  };
});

// Whoever signs in next must not see the last person's jobs, not even until the reload answers.
useAuth.subscribe((state, previous) => {
  if (state.session?.user.id === previous.session?.user.id) return;
  sessionGeneration++;
  pushes.clear();
  useJobs.setState(empty);
});
