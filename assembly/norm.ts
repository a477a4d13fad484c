// Kernels of the norm family (contract: src/backend/contract/norm.ts).
