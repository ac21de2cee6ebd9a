export type * from "./hasher";
