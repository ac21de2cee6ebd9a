export { __Class__, type __Class__Config } from "./method";
