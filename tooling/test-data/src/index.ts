export { sharedDataPath } from "./shared-data";
