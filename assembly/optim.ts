// Kernels of the optim family (contract: src/backend/contract/optim.ts).
