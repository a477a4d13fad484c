// Kernels of the gemm family (contract: src/backend/contract/gemm.ts).
