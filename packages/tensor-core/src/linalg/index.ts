// Pure-JS numerical tools (owned by the linalg work): eigen-decomposition, PCA, kNN graphs,
// sparse Laplacian eigenpairs, simplex projection, pairwise cosine. Re-exported by the package.
export {};
