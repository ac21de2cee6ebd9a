// tfjs-core's Node bundle ships without gradient definitions (the @tensorflow/tfjs union package
// and tfjs-node add them). This registers them from a pre-bundled copy of tfjs-core's own gradient
// sources (scripts/vendor-gradients.mjs); `initBackend` loads it lazily (a dynamic import).
import "./vendor/tfjs-core-gradients.js";
