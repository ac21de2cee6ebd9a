// tfjs-core's Node bundle ships without gradient definitions (the @tensorflow/tfjs union package
// and tfjs-node add them). This module registers them; tsup bundles tfjs-core's ESM gradient
// sources into tensor-core's dist, and `initBackend` loads it lazily (a dynamic import).
import "@tensorflow/tfjs-core/dist/register_all_gradients";
