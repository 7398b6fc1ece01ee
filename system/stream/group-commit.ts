/**
 * Runs one job at a time over everything submitted meanwhile: while a job runs, submissions
 * queue, and the next job takes all of them at once. Each submitter gets its own share of the
 * result, or the job's error. PostgreSQL's group commit, done in the client: the stream's
 * batches of one worker share one transaction instead of each holding locks and waiting for the
 * synchronous standby on its own.
 */
export class GroupCommit<In, Out> {
  private queue: { input: In; resolve: (o: Out) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  /** `job` returns one output per input, in order. */
  constructor(private readonly job: (inputs: In[]) => Promise<Out[]>) {}

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          const outs = await this.job(group.map((g) => g.input));
          for (const [i, g] of group.entries()) g.resolve(outs[i]!);
        } catch (err) {
          for (const g of group) g.reject(err);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
