import Foundation

/// A path inside the repository (`Generators/mathglm.json`, `Checkpoints/reckon-mathglm`) as
/// this process can open it: unchanged when it exists under the working directory, otherwise
/// under the nearest ancestor of this executable's directory that holds it (the binary lives in
/// `<repository>/.build/<configuration>/`), so shipped names work from any directory. Nil when
/// neither has it.
func repositoryPath(_ relative: String) -> String? {
    let files = FileManager.default
    if files.fileExists(atPath: relative) { return relative }
    guard var directory = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() else { return nil }
    while directory.path != "/" {
        let candidate = directory.appendingPathComponent(relative).path
        if files.fileExists(atPath: candidate) { return candidate }
        directory.deleteLastPathComponent()
    }
    return nil
}
