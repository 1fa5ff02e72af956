import Foundation
import LabEndpoints

extension Lab {
    /// Writes nginx's configuration, checks it (`nginx -t`), starts one nginx master inside
    /// `namespace` in the foreground under `setsid -f` (`-p`/`-c`/`-e` and `-g 'daemon off; pid
    /// …'`, so nothing in `/etc/nginx` or `/var/log/nginx` is used) and waits, bounded, for its
    /// pid file, which nginx writes once it has bound every listener.
    func startNginx(_ nginx: NginxConfiguration, namespace: String) throws -> LabManifest.Process {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: nginx.temporaryDirectory, withIntermediateDirectories: true)
        try nginx.text().write(to: nginx.configFile, atomically: true, encoding: .utf8)
        let prefix = nginx.directory.path + "/"
        let arguments = ["-p", prefix, "-c", nginx.configFile.path, "-e", nginx.errorLog.path]
        // `nginx -t` binds too: inside the namespace, where the addresses are.
        let checked = try runner.runAllowingFailure(.ip, ["netns", "exec", namespace, try LabTool.nginx.path(), "-t", "-q"] + arguments)
        guard checked.status == 0 else {
            throw LabError(.serverFailedToStart, "nginx -t rejected \(nginx.configFile.path): \(checked.standardError.suffix(600))")
        }
        let output = nginx.directory.appendingPathComponent("nginx.out")
        let command = ["-f", try LabTool.ip.path(), "netns", "exec", namespace, try LabTool.nginx.path()] + arguments
            + ["-g", "daemon off; pid \(nginx.pidFile.path);"]
        let status = try runner.runDetached(.setsid, command, logFile: output)
        guard status == 0, let pid = waitForPidFile(nginx.pidFile, program: "nginx", seconds: 30) else {
            throw LabError(.serverFailedToStart, "nginx did not start (setsid exited \(status)); \(Self.tail(nginx.errorLog, output))")
        }
        return LabManifest.Process(program: "nginx", role: "nginx", pid: pid, namespace: namespace, configFile: nginx.configFile.path,
                                   logFile: nginx.errorLog.path, addresses: nginx.plan.addresses)
    }

    /// Writes Postfix's `main.cf` and `master.cf`, makes its queue and data directories (data
    /// owned by `postfix`), and runs `postfix -c DIR start` inside `namespace`; that returns
    /// once the master runs (`master -w`). The master then runs detached; its pid is in the
    /// queue's `pid/master.pid`.
    func startPostfix(_ postfix: PostfixConfiguration, namespace: String) throws -> LabManifest.Process {
        let fileManager = FileManager.default
        for directory in [postfix.configDirectory, postfix.queueDirectory, postfix.dataDirectory] {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        guard let account = getpwnam("postfix") else {
            throw LabError(.missingTool, "no 'postfix' user: install the Debian package postfix (apt-get install postfix)")
        }
        guard chown(postfix.dataDirectory.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw LabError(.commandFailed, "cannot give \(postfix.dataDirectory.path) to postfix: errno \(errno)")
        }
        try postfix.mainText().write(to: postfix.configDirectory.appendingPathComponent("main.cf"), atomically: true, encoding: .utf8)
        try postfix.masterText().write(to: postfix.configDirectory.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        let output = postfix.directory.appendingPathComponent("postfix.out")
        let status = try runner.runDetached(.ip, ["netns", "exec", namespace, try LabTool.postfix.path(), "-c", postfix.configDirectory.path, "start"],
                                            logFile: output, timeout: 60)
        guard status == 0, let pid = waitForPidFile(postfix.pidFile, program: "master", seconds: 10) else {
            throw LabError(.serverFailedToStart, "postfix did not start (exit \(status)); \(Self.tail(postfix.logFile, output))")
        }
        return LabManifest.Process(program: "master", role: "postfix", pid: pid, namespace: namespace,
                                   configFile: postfix.configDirectory.appendingPathComponent("main.cf").path,
                                   logFile: postfix.logFile.path, addresses: postfix.plan.addresses)
    }

    /// Why `up` cannot serve the plan's nginx and Postfix platforms as the world says (empty:
    /// it can), and the programs they need.
    func realServerProblems(_ plan: EndpointPlan) throws -> [String] {
        let certificates = LabCertificates(directory: paths.endpoints)
        let nginx = NginxConfiguration(plan: plan, certificates: certificates, directory: paths.nginx)
        let postfix = PostfixConfiguration(plan: plan, certificates: certificates, directory: paths.postfix)
        if !nginx.plan.platforms.isEmpty { _ = try LabTool.nginx.path() }
        if !postfix.plan.platforms.isEmpty { _ = try LabTool.postfix.path() }
        return nginx.problems() + postfix.problems()
    }

    /// The last lines of some logs, for an error message.
    static func tail(_ files: URL...) -> String {
        files.map { file in
            let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            return "\(file.path): " + text.split(separator: "\n").suffix(6).joined(separator: "\n    ")
        }.joined(separator: "; ")
    }
}
