// Kernels of the reduce family (contract: src/backend/contract/reduce.ts).
