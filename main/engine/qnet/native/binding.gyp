{
  "targets": [
    {
      "target_name": "qnet_kernel",
      "sources": ["qnet_kernel.c"],
      "cflags": ["-O3", "-std=gnu11", "-fno-math-errno"],
      "cflags!": ["-O2"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O3", "-std=gnu11"] },
      "msvs_settings": { "VCCLCompilerTool": { "Optimization": 2 } }
    }
  ]
}
