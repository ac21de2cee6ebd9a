export {
  __Class__,
  type __Class__Config,
  __Class__Configs,
  __Class__Schema,
} from "./method";
