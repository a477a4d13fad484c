// Kernels of the conv family (contract: src/backend/contract/conv.ts).
