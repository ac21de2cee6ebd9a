/** `pnpm bench`: parse options, run (or resume) the benchmark, print the leaderboard. */
import { helpText, parseCli } from "./args";
import { UsageError } from "./errors";
import { REGISTRY, selectMethods } from "./registry";
import { formatDuration, runBench, writeReports } from "./runner";
import { runSuite, suiteStatsTable } from "./suite";

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === "worker" || argv[0] === "merge") {
    const { runSubcommand } = await import("./subcommands");
    return runSubcommand(argv[0], argv.slice(1));
  }
  let opts: ReturnType<typeof parseCli>;
  try {
    opts = parseCli(argv);
  } catch (e) {
    console.error(
      `cmh bench: ${e instanceof Error ? e.message : String(e)}\nRun with --help for usage.`,
    );
    return 2;
  }
  if (opts.help) {
    console.log(helpText());
    return 0;
  }
  if (opts.list) {
    if (REGISTRY.length === 0) console.log("No methods are registered yet.");
    for (const m of REGISTRY) {
      console.log(`${m.name}\t${m.package}${m.supervised ? "\tsupervised" : ""}`);
    }
    return 0;
  }
  if (opts.reportOnly) {
    const { leaderboard, files } = await writeReports(opts.out, {
      metric: opts.metric,
      html: opts.html,
    });
    console.log(leaderboard);
    console.log(`wrote ${files.leaderboard}${files.report ? ` and ${files.report}` : ""}`);
    return 0;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      `\n${sig === "SIGTERM" ? "terminated" : "interrupted"}: stopping after writing the reports (Ctrl-C again to quit now)\n`,
    );
    controller.abort(new Error("interrupted"));
  };
  // SIGTERM (kill, a job scheduler's stop) ends a run exactly as Ctrl-C does.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let methods: ReturnType<typeof selectMethods>;
  try {
    methods = selectMethods(opts.methods);
  } catch (e) {
    console.error(`cmh bench: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const common = {
    methods,
    bits: opts.bits,
    seeds: opts.seeds,
    preset: opts.preset,
    overrides: opts.overrides,
    backend: opts.backend,
    out: opts.out,
    directions: opts.directions,
    isolation: opts.isolation,
    retryFailed: opts.retryFailed,
    metric: opts.metric,
    htmlReport: opts.html,
    signal: controller.signal,
  };
  let summary: Awaited<ReturnType<typeof runBench>>;
  try {
    if (opts.suite !== undefined) {
      if (opts.stats) {
        console.log(await suiteStatsTable(opts.suite, opts.data));
        return 0;
      }
      const { summaries, leaderboard, file } = await runSuite({
        ...common,
        suite: opts.suite,
        data: opts.data,
        command: `node apps/bench/dist/cli.js ${argv.join(" ")}`,
      });
      console.log(`\n${leaderboard}\nwrote ${file}`);
      if (controller.signal.aborted) return 130;
      return summaries.some((s) => s.failed > 0) ? 1 : 0;
    }
    summary = await runBench({
      ...common,
      dataset: { name: opts.dataset, data: opts.data, protocol: opts.protocol },
      ...(opts.shard ? { shard: opts.shard } : {}),
      ...(opts.queue
        ? { queue: { url: opts.queue, name: opts.queueName, attempts: opts.attempts } }
        : {}),
    });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`cmh bench: ${e.message}`);
    return 2;
  }
  console.log("");
  console.log(summary.leaderboard);
  console.log(
    `${summary.ran} cells run (${summary.failed} failed), ${summary.skipped} skipped, in ${formatDuration(
      summary.wallSeconds,
    )}. Results: ${summary.files.results}; ${summary.files.leaderboard}${
      summary.files.report ? `; ${summary.files.report}` : ""
    }`,
  );
  if (summary.interrupted) return 130;
  return summary.failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`cmh bench: ${e instanceof Error ? e.message : String(e)}`);
    // a mistake in the options or the data (UsageError) exits 2, like the parser's errors
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
