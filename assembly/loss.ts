// Kernels of the loss family (contract: src/backend/contract/loss.ts).
