import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCsvMatrix } from "./csv";
import { DatasetError } from "./errors";
import { matToMatrix, pickVariable, readMat, toLabelMatrix } from "./mat";
import type { MatArray } from "./mat-types";
import { concatRows } from "./matrix";
import { readNpyMatrix } from "./npy";
import { makeSplit, PROTOCOLS } from "./protocols";
import type { CrossModalSet, LabelMatrix, Matrix, Split } from "./types";
import { verifyFile } from "./verify";

/** Dataset names of the DCMH/DJSRH releases and the file prefixes they are distributed under. */
export const DCMH_PREFIXES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  mirflickr25k: ["mirflickr25k"],
  "nus-wide": ["nus-wide-tc10", "nus-wide-tc21", "nus-wide"],
  "ms-coco": ["mscoco", "ms-coco", "coco"],
  "iapr-tc12": ["iapr-tc12", "iapr"],
});

/** Variable names accepted for each role (the first present wins). */
export const DCMH_VARIABLES = Object.freeze({
  image: ["XAll", "IAll", "I_All", "images", "features"],
  text: ["YAll", "TAll", "T_All", "tags", "texts"],
  labels: ["LAll", "L_All", "labels"],
});

/** Options shared by the layout loaders. */
export interface LoadOptions {
  /** Check each file against `KNOWN_FILES` (or `sha256`) before reading. Default false. */
  verify?: boolean;
  /** Expected SHA-256 per file name, overriding `KNOWN_FILES`. */
  sha256?: Readonly<Record<string, string>>;
}

/** The parts of a DCMH-layout dataset found in a folder; `image` is absent when no image file is. */
export interface DcmhParts {
  readonly name: string;
  readonly files: { image?: string; text: string; labels: string };
  readonly image?: Matrix;
  readonly text: Matrix;
  readonly labels: LabelMatrix;
}

function findFile(dir: string, names: readonly string[]): { path?: string; tried: string[] } {
  const tried: string[] = [];
  // The DJSRH "Cleared-Set" puts each kind in a subfolder (IAll/, YAll/, LAll/).
  const subdirs = ["", "IAll", "YAll", "LAll", "XAll"];
  for (const n of names) {
    for (const s of subdirs) {
      const p = s ? join(dir, s, n) : join(dir, n);
      if (!s) tried.push(n);
      if (existsSync(p)) return { path: p, tried };
    }
  }
  return { tried };
}

async function readRole(
  path: string,
  role: keyof typeof DCMH_VARIABLES,
  opts: LoadOptions,
): Promise<{ v: MatArray; format: string }> {
  if (opts.verify) verifyFile(path, opts.sha256?.[path.split(/[\\/]/).pop() ?? ""]);
  // Read the names and dims first so a huge unused variable (e.g. raw images) is never decoded.
  const listing = await readMat(path, { variables: [] });
  const v0 = pickVariable(listing, DCMH_VARIABLES[role], role);
  if (role === "image" && v0.dims.length > 2) {
    throw new DatasetError(
      `${path} (${listing.format}): ${v0.name} holds raw images (${v0.dims.join("×")}), not feature vectors. cmh needs one feature row per item: use the feature release (e.g. <name>-iall-vgg.mat with XAll) or extract CNN features and save them as .mat/.npy`,
      { file: path, found: v0.dims },
    );
  }
  const mat = await readMat(path, { variables: [v0.name] });
  return { v: mat.variables[v0.name], format: mat.format };
}

function orient(m: Matrix, n: number, what: string): Matrix {
  if (m.rows === n) return m;
  if (m.cols === n) {
    // Stored features×items: transpose to items×features.
    const out = new Float32Array(m.data.length);
    for (let r = 0; r < m.rows; r++)
      for (let c = 0; c < m.cols; c++) out[c * m.rows + r] = m.data[r * m.cols + c];
    return { rows: m.cols, cols: m.rows, data: out };
  }
  throw new DatasetError(`${what} is ${m.rows}×${m.cols}, but the labels say there are ${n} items`);
}

/**
 * Read the DCMH/DJSRH files of a dataset from `dir` (`<prefix>-iall-vgg.mat` or `-iall.mat`,
 * `-yall.mat`, `-lall.mat`, either MAT version, also inside IAll/YAll/LAll subfolders); the image
 * part is optional here.
 */
export async function loadDcmhParts(
  dir: string,
  name: keyof typeof DCMH_PREFIXES | string,
  options: LoadOptions & { prefix?: string } = {},
): Promise<DcmhParts> {
  const prefixes = options.prefix ? [options.prefix] : (DCMH_PREFIXES[name] ?? [name]);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(`loadDcmh: data folder ${dir} does not exist`);
  }
  const find = (suffixes: string[]) =>
    findFile(
      dir,
      prefixes.flatMap((p) => suffixes.map((s) => `${p}${s}`)),
    );
  const lf = find(["-lall.mat"]);
  const yf = find(["-yall.mat"]);
  const imf = find(["-iall-vgg.mat", "-xall-vgg.mat", "-iall.mat", "-xall.mat"]);
  if (!lf.path || !yf.path) {
    const missing = [
      !yf.path ? yf.tried.join(" or ") : "",
      !lf.path ? lf.tried.join(" or ") : "",
    ].filter(Boolean);
    throw new DatasetError(
      `loadDcmh("${name}"): in ${dir}, missing ${missing.join("; and ")}. The DCMH/DJSRH layout has <prefix>-iall(-vgg).mat (image features), <prefix>-yall.mat (YAll text) and <prefix>-lall.mat (LAll labels)`,
      { dir, tried: [...yf.tried, ...lf.tried] },
    );
  }
  const lab = await readRole(lf.path, "labels", options);
  const labelsM = matToMatrix(lab.v, `${lf.path} (${lab.format})`);
  // Labels are items×classes; a classes×items file is transposed when unambiguous.
  const lm =
    labelsM.rows < labelsM.cols && labelsM.rows <= 1000
      ? orient(labelsM, labelsM.cols, lf.path)
      : labelsM;
  const labels = toLabelMatrix(lm, `${lf.path} ${lab.v.name}`);
  const n = labels.rows;
  const txt = await readRole(yf.path, "text", options);
  const text = orient(matToMatrix(txt.v, yf.path), n, `${yf.path} (${txt.format}) ${txt.v.name}`);
  let image: Matrix | undefined;
  if (imf.path) {
    const im = await readRole(imf.path, "image", options);
    image = orient(matToMatrix(im.v, imf.path), n, `${imf.path} (${im.format}) ${im.v.name}`);
  }
  return {
    name,
    files: { ...(imf.path ? { image: imf.path } : {}), text: yf.path, labels: lf.path },
    ...(image ? { image } : {}),
    text,
    labels,
  };
}

/** Load a DCMH/DJSRH-layout dataset (`mirflickr25k`, `nus-wide`, `ms-coco`, `iapr-tc12`) as a CrossModalSet. */
export async function loadDcmh(
  dir: string,
  name: keyof typeof DCMH_PREFIXES | string,
  options: LoadOptions & { prefix?: string } = {},
): Promise<CrossModalSet> {
  const parts = await loadDcmhParts(dir, name, options);
  if (!parts.image) {
    const prefixes = options.prefix ? [options.prefix] : (DCMH_PREFIXES[name] ?? [name]);
    throw new DatasetError(
      `loadDcmh("${name}"): found ${parts.files.text} and ${parts.files.labels} but no image features in ${dir}; expected ${prefixes.map((p) => `${p}-iall-vgg.mat (XAll) or ${p}-iall.mat`).join(", ")}. Use loadDcmhParts for text and labels alone`,
      { dir },
    );
  }
  return { name, image: parts.image, text: parts.text, labels: parts.labels };
}

const TT = ["I_tr", "T_tr", "L_tr", "I_te", "T_te", "L_te"] as const;

/**
 * Load the `I_tr/T_tr/L_tr/I_te/T_te/L_te` layout (Wiki, UCI mfeat, FSH-style releases) from one
 * .mat file or a folder with one CSV (or .npy) per matrix. Rows are train items then test items;
 * the returned split is the fixed one: query = test rows, database = train = train rows. Class
 * indices become one-hot labels (columns = sorted distinct classes of train ∪ test).
 */
export async function loadTrainTestLayout(
  pathOrDir: string,
  options: LoadOptions & { name?: string; protocol?: string } = {},
): Promise<{ set: CrossModalSet; split: Split; nTrain: number; nTest: number }> {
  if (!existsSync(pathOrDir))
    throw new DatasetError(`loadTrainTestLayout: ${pathOrDir} does not exist`);
  const parts: Record<(typeof TT)[number], Matrix> = {} as never;
  if (statSync(pathOrDir).isDirectory()) {
    const missing: string[] = [];
    for (const k of TT) {
      const csv = join(pathOrDir, `${k}.csv`);
      const npy = join(pathOrDir, `${k}.npy`);
      if (existsSync(csv)) parts[k] = readCsvMatrix(csv);
      else if (existsSync(npy)) parts[k] = readNpyMatrix(npy);
      else missing.push(`${k}.csv`);
    }
    if (missing.length) {
      throw new DatasetError(
        `loadTrainTestLayout: folder ${pathOrDir} lacks ${missing.join(", ")} (expected I_tr, T_tr, L_tr, I_te, T_te, L_te as .csv or .npy)`,
      );
    }
  } else {
    if (options.verify)
      verifyFile(pathOrDir, options.sha256?.[pathOrDir.split(/[\\/]/).pop() ?? ""]);
    const mat = await readMat(pathOrDir, { variables: TT });
    for (const k of TT)
      parts[k] = matToMatrix(pickVariable(mat, [k], k), `${pathOrDir} (${mat.format})`);
  }
  const where = (k: string) => `${pathOrDir}: ${k}`;
  for (const [a, b, c] of [
    ["I_tr", "T_tr", "L_tr"],
    ["I_te", "T_te", "L_te"],
  ] as const) {
    const ra = parts[a].rows;
    for (const k of [b, c]) {
      if (parts[k].rows !== ra) {
        throw new DatasetError(
          `${pathOrDir}: ${a} has ${ra} rows but ${k} has ${parts[k].rows} (shapes: ${TT.map((t) => `${t} ${parts[t].rows}×${parts[t].cols}`).join(", ")})`,
        );
      }
    }
  }
  for (const [a, b] of [
    ["I_tr", "I_te"],
    ["T_tr", "T_te"],
    ["L_tr", "L_te"],
  ] as const) {
    if (parts[a].cols !== parts[b].cols) {
      throw new DatasetError(
        `${pathOrDir}: ${a} has ${parts[a].cols} columns but ${b} has ${parts[b].cols}`,
      );
    }
  }
  const lab = concatRows([parts.L_tr, parts.L_te]);
  const classes = lab.cols === 1 ? Array.from(new Set(lab.data)).sort((x, y) => x - y) : undefined;
  const labels = toLabelMatrix(lab, where("L_tr/L_te"), classes);
  const nTrain = parts.I_tr.rows;
  const nTest = parts.I_te.rows;
  const name = options.name ?? pathOrDir.split(/[\\/]/).filter(Boolean).pop() ?? "train-test";
  const set: CrossModalSet = {
    name,
    image: concatRows([parts.I_tr, parts.I_te]),
    text: concatRows([parts.T_tr, parts.T_te]),
    labels,
  };
  const n = nTrain + nTest;
  if (options.protocol && PROTOCOLS[options.protocol]?.fixedTrain === undefined) {
    throw new DatasetError(
      `loadTrainTestLayout: protocol "${options.protocol}" is not a fixed train/test protocol (fixed ones: ${Object.values(
        PROTOCOLS,
      )
        .filter((p) => p.fixedTrain !== undefined)
        .map((p) => p.name)
        .join(", ")})`,
    );
  }
  const known = options.protocol
    ? PROTOCOLS[options.protocol]
    : Object.values(PROTOCOLS).find((p) => p.fixedTrain === nTrain && p.nItems === n);
  const split = known
    ? makeSplit(known, n, 0)
    : makeSplit({ name: `train-test-${nTrain}-${nTest}`, fixedTrain: nTrain, nItems: n }, n, 0);
  return { set, split, nTrain, nTest };
}
