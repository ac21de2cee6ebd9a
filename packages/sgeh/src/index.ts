export { SGEH, type SGEHConfig } from "./method";
