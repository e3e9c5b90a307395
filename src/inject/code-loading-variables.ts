/**
 * The corpus of environment variables that make programs run other code, load code, or trust
 * other servers: package managers, version control, language runtimes, shells, the dynamic
 * linker, TLS libraries, pagers and editors. A secret whose exported name is in it is never
 * exported through a filter (`run -f`, a filter line of env.template, a project environment's
 * undescribed value, `SEEQRET_FILTER`), even when its name was accepted: only a template line that
 * names the variable itself (`NAME=app:env:key`, or a constant line) exports it. `team exec`
 * refuses them outright. Documented in docs/commands/env.md#loader-variables; the tests send each
 * entry through a real bundle and check it is not exported.
 *
 * This is data: add to it, never remove. An entry matches a name exactly, or every name that
 * starts with it (`prefix: true`). Names are case-sensitive, as the environment is.
 *
 * @module
 */

/** One entry of the corpus. */
export interface CodeLoadingVariable {
  /** The variable, or the prefix of a family of variables. */
  readonly name: string;
  /** True when every variable starting with {@link name} matches. */
  readonly prefix?: true;
  /** Which kind of program reads it. */
  readonly family: 'node' | 'git' | 'python' | 'ruby' | 'perl' | 'java-dotnet' | 'go-rust-c' | 'shell' | 'linker' | 'tls-network' | 'pager-editor' | 'other';
  /** What a hostile value does (for the docs). */
  readonly effect: string;
  /** For a prefix: a real variable of the family, used by the tests. */
  readonly example?: string;
}

/** Every entry, grouped by family. */
export const CODE_LOADING_VARIABLES: readonly CodeLoadingVariable[] = [
  // Node.js, npm, yarn, pnpm, corepack
  { name: 'NODE_OPTIONS', family: 'node', effect: '--require/--import preloads any module into every node process' },
  { name: 'NODE_PATH', family: 'node', effect: 'adds folders to the module search path' },
  { name: 'NODE_REPL_EXTERNAL_MODULE', family: 'node', effect: 'node starts this module instead of the REPL' },
  { name: 'NODE_EXTRA_CA_CERTS', family: 'tls-network', effect: 'node trusts these extra certificate authorities' },
  { name: 'NODE_TLS_REJECT_UNAUTHORIZED', family: 'tls-network', effect: '0 turns off TLS certificate checks in node' },
  { name: 'ELECTRON_RUN_AS_NODE', family: 'node', effect: 'an Electron app runs scripts as plain node' },
  { name: 'npm_config_', prefix: true, family: 'node', effect: 'npm/pnpm configuration: script-shell, node-options, registry, git, …', example: 'npm_config_script_shell' },
  { name: 'NPM_CONFIG_', prefix: true, family: 'node', effect: 'npm configuration (upper-case form)', example: 'NPM_CONFIG_NODE_OPTIONS' },
  { name: 'YARN_', prefix: true, family: 'node', effect: 'yarn configuration: yarnPath runs a JavaScript file, registries, plugins', example: 'YARN_YARN_PATH' },
  { name: 'PNPM_HOME', family: 'node', effect: 'where pnpm installs and runs global binaries from' },
  { name: 'COREPACK_', prefix: true, family: 'node', effect: 'corepack downloads package managers from another registry', example: 'COREPACK_NPM_REGISTRY' },
  { name: 'BUN_INSTALL', family: 'node', effect: 'where bun installs and runs binaries from' },
  // git (every GIT_ variable: GIT_SSH_COMMAND, GIT_EXTERNAL_DIFF, GIT_PAGER, GIT_EDITOR, GIT_ASKPASS, GIT_CONFIG_*, GIT_EXEC_PATH, GIT_SSL_CAINFO, GIT_DIR, …)
  { name: 'GIT_', prefix: true, family: 'git', effect: 'git runs commands from these (ssh, diff, pager, editor, askpass, config keys such as core.fsmonitor)', example: 'GIT_SSH_COMMAND' },
  { name: 'GIT_SSH_COMMAND', family: 'git', effect: 'command git runs instead of ssh' },
  { name: 'GIT_SSH', family: 'git', effect: 'program git runs instead of ssh' },
  { name: 'GIT_EXTERNAL_DIFF', family: 'git', effect: 'program git runs for every diff' },
  { name: 'GIT_PAGER', family: 'git', effect: 'program git pipes output through' },
  { name: 'GIT_EDITOR', family: 'git', effect: 'program git runs to edit messages' },
  { name: 'GIT_ASKPASS', family: 'git', effect: 'program git runs to ask for credentials' },
  { name: 'GIT_CONFIG_GLOBAL', family: 'git', effect: 'another global config file (core.fsmonitor, core.pager, aliases run programs)' },
  { name: 'GIT_CONFIG_COUNT', family: 'git', effect: 'with GIT_CONFIG_KEY_n/VALUE_n, any config key' },
  { name: 'GIT_EXEC_PATH', family: 'git', effect: 'where git finds its sub-commands' },
  { name: 'GIT_TEMPLATE_DIR', family: 'git', effect: 'hooks copied into new repositories' },
  { name: 'GIT_PROXY_COMMAND', family: 'git', effect: 'program git runs for git:// connections' },
  { name: 'GIT_SSL_CAINFO', family: 'tls-network', effect: 'certificate authorities git trusts' },
  { name: 'GIT_SSL_NO_VERIFY', family: 'tls-network', effect: 'turns off TLS certificate checks in git' },
  { name: 'SSH_ASKPASS', family: 'git', effect: 'program ssh runs to ask for a passphrase' },
  { name: 'SSH_ASKPASS_REQUIRE', family: 'git', effect: 'makes ssh run SSH_ASKPASS' },
  { name: 'SUDO_ASKPASS', family: 'shell', effect: 'program sudo -A runs' },
  // Python, pip
  { name: 'PYTHON', prefix: true, family: 'python', effect: 'every PYTHON* variable (startup file, path, home, breakpoint hook, warnings that import modules)', example: 'PYTHONSTARTUP' },
  { name: 'PYTHONSTARTUP', family: 'python', effect: 'file run at interactive start' },
  { name: 'PYTHONPATH', family: 'python', effect: 'module search path (shadows any module)' },
  { name: 'PYTHONHOME', family: 'python', effect: 'another standard library' },
  { name: 'PYTHONINSPECT', family: 'python', effect: 'drops into an interactive prompt after the script' },
  { name: 'PYTHONBREAKPOINT', family: 'python', effect: 'callable imported and run by breakpoint()' },
  { name: 'PYTHONWARNINGS', family: 'python', effect: 'warning filters that import modules by name' },
  { name: 'PYTHONUSERBASE', family: 'python', effect: 'user site-packages (with .pth files that run code)' },
  { name: 'PIP_', prefix: true, family: 'python', effect: 'pip configuration: index URL, trusted hosts, certificates', example: 'PIP_INDEX_URL' },
  // Ruby
  { name: 'RUBYOPT', family: 'ruby', effect: '-r preloads any library into every ruby' },
  { name: 'RUBYLIB', family: 'ruby', effect: 'library search path' },
  { name: 'BUNDLE_', prefix: true, family: 'ruby', effect: 'bundler configuration: Gemfile, paths, mirrors', example: 'BUNDLE_GEMFILE' },
  { name: 'BUNDLE_GEMFILE', family: 'ruby', effect: 'another Gemfile (Ruby code) for bundler' },
  { name: 'GEM_HOME', family: 'ruby', effect: 'where gems are loaded from' },
  { name: 'GEM_PATH', family: 'ruby', effect: 'where gems are loaded from' },
  { name: 'IRBRC', family: 'ruby', effect: 'file run when irb starts' },
  // Perl
  { name: 'PERL5OPT', family: 'perl', effect: '-M preloads any module into every perl' },
  { name: 'PERL5LIB', family: 'perl', effect: 'module search path' },
  { name: 'PERLLIB', family: 'perl', effect: 'module search path' },
  { name: 'PERL5DB', family: 'perl', effect: 'code run as the debugger' },
  { name: 'PERL_MM_OPT', family: 'perl', effect: 'ExtUtils::MakeMaker options' },
  { name: 'PERL_MB_OPT', family: 'perl', effect: 'Module::Build options' },
  // Java, .NET
  { name: 'JAVA_TOOL_OPTIONS', family: 'java-dotnet', effect: '-javaagent loads any code into every JVM' },
  { name: '_JAVA_OPTIONS', family: 'java-dotnet', effect: 'JVM options, as JAVA_TOOL_OPTIONS' },
  { name: 'JDK_JAVA_OPTIONS', family: 'java-dotnet', effect: 'options of the java launcher' },
  { name: 'JAVA_OPTS', family: 'java-dotnet', effect: 'JVM options of many launcher scripts' },
  { name: 'JAVA_HOME', family: 'java-dotnet', effect: 'which java the launchers run' },
  { name: 'CLASSPATH', family: 'java-dotnet', effect: 'class search path' },
  { name: 'MAVEN_OPTS', family: 'java-dotnet', effect: 'JVM options of Maven' },
  { name: 'GRADLE_OPTS', family: 'java-dotnet', effect: 'JVM options of Gradle' },
  { name: 'ANT_OPTS', family: 'java-dotnet', effect: 'JVM options of Ant' },
  { name: 'SBT_OPTS', family: 'java-dotnet', effect: 'JVM options of sbt' },
  { name: 'DOTNET_STARTUP_HOOKS', family: 'java-dotnet', effect: 'assemblies run before Main' },
  { name: 'DOTNET_ADDITIONAL_DEPS', family: 'java-dotnet', effect: 'extra assemblies loaded' },
  { name: 'DOTNET_ROOT', family: 'java-dotnet', effect: 'which .NET runtime runs' },
  { name: 'CORECLR_', prefix: true, family: 'java-dotnet', effect: 'CoreCLR profiler: a native library loaded into every .NET process', example: 'CORECLR_PROFILER_PATH' },
  { name: 'CORECLR_PROFILER', family: 'java-dotnet', effect: 'profiler loaded into every .NET process' },
  { name: 'COR_PROFILER', family: 'java-dotnet', effect: '.NET Framework profiler' },
  { name: 'COR_PROFILER_PATH', family: 'java-dotnet', effect: '.NET Framework profiler library' },
  { name: 'COR_ENABLE_PROFILING', family: 'java-dotnet', effect: 'turns the .NET Framework profiler on' },
  // Go, Rust, C toolchains
  { name: 'GOFLAGS', family: 'go-rust-c', effect: 'flags of every go command (-toolexec runs a program)' },
  { name: 'GOTOOLCHAIN', family: 'go-rust-c', effect: 'go downloads and runs another toolchain' },
  { name: 'GOPROXY', family: 'go-rust-c', effect: 'where go downloads modules from' },
  { name: 'GOROOT', family: 'go-rust-c', effect: 'which Go toolchain runs' },
  { name: 'CGO_', prefix: true, family: 'go-rust-c', effect: 'C compiler and linker flags of cgo builds (-fplugin)', example: 'CGO_LDFLAGS' },
  { name: 'RUSTC_WRAPPER', family: 'go-rust-c', effect: 'program cargo runs around rustc' },
  { name: 'RUSTC', family: 'go-rust-c', effect: 'the compiler cargo runs' },
  { name: 'RUSTFLAGS', family: 'go-rust-c', effect: 'flags of every rustc (linker, plugins)' },
  { name: 'RUSTDOCFLAGS', family: 'go-rust-c', effect: 'flags of rustdoc' },
  { name: 'CARGO_', prefix: true, family: 'go-rust-c', effect: 'cargo configuration: build.rustc-wrapper, target runners, registries', example: 'CARGO_BUILD_RUSTC_WRAPPER' },
  { name: 'RUSTUP_', prefix: true, family: 'go-rust-c', effect: 'rustup toolchain and download server', example: 'RUSTUP_TOOLCHAIN' },
  { name: 'CC', family: 'go-rust-c', effect: 'the C compiler builds run' },
  { name: 'CXX', family: 'go-rust-c', effect: 'the C++ compiler builds run' },
  { name: 'CFLAGS', family: 'go-rust-c', effect: 'C compiler flags (-fplugin loads code)' },
  { name: 'LDFLAGS', family: 'go-rust-c', effect: 'linker flags' },
  { name: 'PKG_CONFIG_PATH', family: 'go-rust-c', effect: 'where builds find compiler and linker flags' },
  // Shells
  { name: 'BASH_ENV', family: 'shell', effect: 'file every non-interactive bash runs first' },
  { name: 'ENV', family: 'shell', effect: 'file sh/dash/ksh run at start' },
  { name: 'BASH_FUNC_', prefix: true, family: 'shell', effect: 'exported shell functions bash imports', example: 'BASH_FUNC_ls%%' },
  { name: 'PROMPT_COMMAND', family: 'shell', effect: 'command bash runs before each prompt' },
  { name: 'PS0', family: 'shell', effect: 'expanded (with command substitution) by bash' },
  { name: 'PS1', family: 'shell', effect: 'expanded (with command substitution) by bash' },
  { name: 'PS4', family: 'shell', effect: 'expanded (with command substitution) on every traced line' },
  { name: 'SHELLOPTS', family: 'shell', effect: 'shell options (xtrace with PS4)' },
  { name: 'BASHOPTS', family: 'shell', effect: 'bash options' },
  { name: 'IFS', family: 'shell', effect: 'how shells split words' },
  { name: 'ZDOTDIR', family: 'shell', effect: 'folder zsh reads its start-up files from' },
  { name: 'FPATH', family: 'shell', effect: 'zsh/ksh function autoload path' },
  { name: 'PATH', family: 'shell', effect: 'which program every command name runs' },
  { name: 'SHELL', family: 'shell', effect: 'the shell programs start for commands' },
  { name: 'HOME', family: 'shell', effect: 'where every rc file is read from (.bashrc, .npmrc, .gitconfig)' },
  { name: 'XDG_CONFIG_HOME', family: 'shell', effect: 'where configuration files are read from (git, and many more)' },
  { name: 'TMPDIR', family: 'shell', effect: 'where programs write and read temporary files' },
  // The dynamic linker
  { name: 'LD_', prefix: true, family: 'linker', effect: 'the dynamic linker: LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT load any library', example: 'LD_PRELOAD' },
  { name: 'LD_PRELOAD', family: 'linker', effect: 'library loaded into every program' },
  { name: 'LD_LIBRARY_PATH', family: 'linker', effect: 'library search path' },
  { name: 'LD_AUDIT', family: 'linker', effect: 'auditing library loaded into every program' },
  { name: 'DYLD_', prefix: true, family: 'linker', effect: 'the macOS dynamic linker: DYLD_INSERT_LIBRARIES, DYLD_LIBRARY_PATH', example: 'DYLD_INSERT_LIBRARIES' },
  { name: 'GCONV_PATH', family: 'linker', effect: 'glibc loads character-set modules from here' },
  { name: 'LOCPATH', family: 'linker', effect: 'glibc locale data' },
  { name: 'NLSPATH', family: 'linker', effect: 'message catalogs' },
  { name: 'HOSTALIASES', family: 'tls-network', effect: 'host name aliases for the resolver' },
  { name: 'LOCALDOMAIN', family: 'tls-network', effect: 'resolver search domains' },
  { name: 'RES_OPTIONS', family: 'tls-network', effect: 'resolver options' },
  // TLS trust and network routing
  { name: 'SSL_CERT_FILE', family: 'tls-network', effect: 'certificate authorities OpenSSL trusts' },
  { name: 'SSL_CERT_DIR', family: 'tls-network', effect: 'certificate authorities OpenSSL trusts' },
  { name: 'CURL_CA_BUNDLE', family: 'tls-network', effect: 'certificate authorities curl trusts' },
  { name: 'REQUESTS_CA_BUNDLE', family: 'tls-network', effect: 'certificate authorities Python requests trusts' },
  { name: 'AWS_CA_BUNDLE', family: 'tls-network', effect: 'certificate authorities the AWS tools trust' },
  { name: 'SSLKEYLOGFILE', family: 'tls-network', effect: 'TLS libraries write session keys here (decrypts the traffic)' },
  { name: 'OPENSSL_CONF', family: 'tls-network', effect: 'OpenSSL configuration, which can load engines (native code)' },
  { name: 'OPENSSL_ENGINES', family: 'tls-network', effect: 'where OpenSSL loads engines from' },
  { name: 'OPENSSL_MODULES', family: 'tls-network', effect: 'where OpenSSL loads providers from' },
  { name: 'HTTP_PROXY', family: 'tls-network', effect: 'routes HTTP traffic through another host' },
  { name: 'HTTPS_PROXY', family: 'tls-network', effect: 'routes HTTPS traffic through another host' },
  { name: 'ALL_PROXY', family: 'tls-network', effect: 'routes all traffic through another host' },
  { name: 'http_proxy', family: 'tls-network', effect: 'routes HTTP traffic through another host' },
  { name: 'https_proxy', family: 'tls-network', effect: 'routes HTTPS traffic through another host' },
  { name: 'all_proxy', family: 'tls-network', effect: 'routes all traffic through another host' },
  // Pagers and editors
  { name: 'PAGER', family: 'pager-editor', effect: 'program output is piped through' },
  { name: 'MANPAGER', family: 'pager-editor', effect: 'program man pipes pages through' },
  { name: 'SYSTEMD_PAGER', family: 'pager-editor', effect: 'program systemd tools pipe output through' },
  { name: 'LESS', family: 'pager-editor', effect: 'less options (+!command runs a shell command)' },
  { name: 'LESSOPEN', family: 'pager-editor', effect: 'command less runs on every file it opens' },
  { name: 'LESSCLOSE', family: 'pager-editor', effect: 'command less runs on every file it closes' },
  { name: 'LESSKEY', family: 'pager-editor', effect: 'less key bindings file' },
  { name: 'EDITOR', family: 'pager-editor', effect: 'program run to edit text' },
  { name: 'VISUAL', family: 'pager-editor', effect: 'program run to edit text' },
  { name: 'BROWSER', family: 'pager-editor', effect: 'program run to open URLs' },
  { name: 'VIMINIT', family: 'pager-editor', effect: 'commands vim runs at start' },
  { name: 'EXINIT', family: 'pager-editor', effect: 'commands vi/ex run at start' },
  { name: 'EMACSLOADPATH', family: 'pager-editor', effect: 'where emacs loads Lisp from' },
  // Other interpreters and tools
  { name: 'PHPRC', family: 'other', effect: 'php.ini to read (auto_prepend_file runs code)' },
  { name: 'PHP_INI_SCAN_DIR', family: 'other', effect: 'extra php.ini files' },
  { name: 'LUA_INIT', family: 'other', effect: 'Lua code run at start' },
  { name: 'LUA_PATH', family: 'other', effect: 'Lua module search path' },
  { name: 'LUA_CPATH', family: 'other', effect: 'Lua native module search path' },
  { name: 'R_PROFILE_USER', family: 'other', effect: 'R code run at start' },
  { name: 'ERL_AFLAGS', family: 'other', effect: 'erl flags (-eval runs code)' },
  { name: 'ERL_FLAGS', family: 'other', effect: 'erl flags (-eval runs code)' },
  { name: 'ERL_ZFLAGS', family: 'other', effect: 'erl flags (-eval runs code)' },
  { name: 'ELIXIR_ERL_OPTIONS', family: 'other', effect: 'erl flags of elixir' },
  { name: 'KUBECONFIG', family: 'other', effect: 'kubectl config (exec credential plugins run programs)' },
  { name: 'DOCKER_HOST', family: 'other', effect: 'which docker daemon commands run on' },
  { name: 'AWS_CONFIG_FILE', family: 'other', effect: 'AWS config (credential_process runs a program)' },
];

const EXACT = new Set(CODE_LOADING_VARIABLES.filter((v) => !v.prefix).map((v) => v.name));
const PREFIXES = CODE_LOADING_VARIABLES.filter((v) => v.prefix).map((v) => v.name);

/** True when `name` is in the corpus (exactly, or under one of its prefixes). */
export function isCodeLoadingVariable(name: string): boolean {
  if (EXACT.has(name)) return true;
  for (const p of PREFIXES) if (name.startsWith(p)) return true;
  return false;
}
