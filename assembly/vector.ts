// Kernels of the vector family (contract: src/backend/contract/vector.ts).
