/// The software version agents and coordinators report to each other.
public enum PeilVersion {
    public static let current = "0.1.0"
}
