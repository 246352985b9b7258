// Entry of the separately bundled graph layout (dist/graphLayout.cjs), loaded on the first graph view.
export { layoutGraph } from '@cellpipe/core';
