/**
 * Deterministic slices of a run's cell list for array jobs (Slurm `--array`, Kubernetes indexed
 * Jobs): `--shard i/n` runs every cell whose position in the planned list is i modulo n, so the n
 * shards together run each cell exactly once and their results merge by cell identity.
 */

/** The `index`-th (0-based) of `count` slices. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parse "i/n" (0 <= i < n); throws naming the bad value. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1 || index >= count) {
    throw new Error(
      `--shard must be i/n with 0 <= i < n (e.g. 0/4 .. 3/4; Slurm: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT), got "${text}"`,
    );
  }
  return { index, count };
}

/** The cells of one shard: positions index, index + count, index + 2 count, ... (round robin). */
export function shardCells<T>(cells: readonly T[], shard: Shard): T[] {
  if (
    !Number.isSafeInteger(shard.count) ||
    shard.count < 1 ||
    !Number.isSafeInteger(shard.index) ||
    shard.index < 0 ||
    shard.index >= shard.count
  ) {
    throw new Error(`shard ${shard.index}/${shard.count} is not a valid slice (0 <= i < n)`);
  }
  return cells.filter((_, i) => i % shard.count === shard.index);
}
