// Kernels of the pool family (contract: src/backend/contract/pool.ts).
