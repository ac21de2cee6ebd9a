export type { BinaryCodes } from "./codes";
