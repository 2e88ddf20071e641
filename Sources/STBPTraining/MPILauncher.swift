import Foundation

/// What an MPI launcher (mpirun, mpiexec, Slurm's srun) tells the processes it starts, read
/// from the environment; lets a program built without MPI refuse to run as several copies that
/// would each train alone and write the same run folder.
public enum MPILauncher {
    /// The number of processes the launcher started in this job (Open MPI's
    /// `OMPI_COMM_WORLD_SIZE`, PMI's `PMI_SIZE`, Slurm's `SLURM_NTASKS` beside `SLURM_PROCID`),
    /// or nil when no launcher started this process.
    public static var worldSize: Int? {
        let environment = ProcessInfo.processInfo.environment
        if let size = environment["OMPI_COMM_WORLD_SIZE"] ?? environment["PMI_SIZE"] { return Int(size) }
        if environment["SLURM_PROCID"] != nil, let size = environment["SLURM_NTASKS"] { return Int(size) }
        return nil
    }

    /// Throws when a launcher started more than one process of this program, which was built
    /// without MPI: `program` names it in the message.
    public static func refuseSeveralProcesses(program: String) throws {
        guard let size = worldSize, size > 1 else { return }
        throw TrainingError.mismatch(
            "\(program) was started as \(size) processes (mpirun -np \(size)), but it was built without MPI, so each "
                + "would train alone: build it with the MPI trait (swift build -c release --traits MPI; Docs/Distributed.md)."
        )
    }
}
