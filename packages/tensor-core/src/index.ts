export type * from "./hasher";
export * from "./linalg/index";
