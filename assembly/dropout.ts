// Kernels of the dropout family (contract: src/backend/contract/dropout.ts).
