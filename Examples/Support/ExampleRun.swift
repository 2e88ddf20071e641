import ArgumentParser
import Foundation
import STBP

#if MPI
    import STBPDistributed
#endif

extension Recipe {
    /// Trains the recipe with the flags applied, printing progress and the final accuracy, and
    /// returns the best test accuracy. In smoke mode: a synthetic data set, batch 2, T 2, one
    /// epoch of a few batches, in a temporary folder that is removed at the end (but for the
    /// run folder, when no --output is given).
    @discardableResult
    package func run(_ options: ExampleOptions) throws -> Double {
        #if MPI
            // Under mpirun: one rank of a data-parallel run; a failing rank ends the job.
            if let group = try MPIProcessGroup.joinLaunchedJob(threads: options.threads) {
                do {
                    return try run(options, group: group)
                } catch let exit as ExitCode {
                    throw exit
                } catch {
                    group.abort("Error: \(error)")
                }
            }
        #else
            try MPILauncher.refuseSeveralProcesses(program: "stbp-\(name)")
        #endif
        return try run(options, group: nil)
    }

    /// Trains as one process of a data-parallel `group`, or alone (nil).
    func run(_ options: ExampleOptions, group: (any ProcessGroup)?) throws -> Double {
        var temporary: URL?
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        if let threads = options.threads, group == nil { ComputeThreads.set(threads) }
        var configuration = self.configuration
        var datasetOptions = self.datasetOptions
        var dataFolder = URL(fileURLWithPath: options.data ?? defaultData)
        var outputFolder = URL(fileURLWithPath: options.output ?? "runs/\(name)")
        if options.smoke {
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "stbp-smoke-\(name)-\(UUID().uuidString)")
            dataFolder = scratch.appendingPathComponent("data")
            outputFolder = options.output.map { URL(fileURLWithPath: $0) } ?? scratch.appendingPathComponent("run")
            temporary = options.output == nil ? dataFolder : scratch
            try writeSyntheticData(dataFolder)
            configuration.epochs = 1
            configuration.batchSize = 2
            configuration.timeSteps = 2
            datasetOptions.trainLimit = 6
            datasetOptions.testLimit = 4
            print("Smoke mode: synthetic \(dataset.rawValue) data in \(dataFolder.path)")
        }
        if let model = options.model { configuration.spec = model }
        if let epochs = options.epochs { configuration.epochs = epochs }
        if let batchSize = options.batchSize { configuration.batchSize = batchSize }
        if let timeSteps = options.timeSteps { configuration.timeSteps = timeSteps }
        if let learningRate = options.learningRate { configuration.optimizer.learningRate = learningRate }
        if let seed = options.seed { configuration.seed = seed }
        if let limit = options.trainLimit { datasetOptions.trainLimit = limit }
        if let limit = options.testLimit { datasetOptions.testLimit = limit }
        if dataset.isEventData && datasetOptions.cacheFolder == nil {
            datasetOptions.cacheFolder = dataFolder.appendingPathComponent(".stbp-cache")
        }

        let (dataset, readOptions, readFolder) = (self.dataset, datasetOptions, dataFolder)
        var run = TrainingRun(configuration: configuration, dataset: dataset.rawValue, folder: outputFolder) {
            configuration in
            var options = readOptions
            options.timeSteps = configuration.timeSteps
            return try dataset.load(from: readFolder, options: options)
        }
        run.resume = options.resume
        run.overwrite = options.overwrite
        run.givenSettings = options.givenSettings
        run.settingFlags = ExampleOptions.settingFlags
        run.network = try makeNetwork?(configuration)
        run.loss = loss
        run.processGroup = group
        let interrupt = InterruptRequest()
        var progress = ConsoleProgress()
        let outcome = try run.run(shouldStop: { interrupt.isRequested }, events: { progress.show($0) })
        guard outcome.finished else { throw ExitCode(130) }
        if group?.rank ?? 0 == 0 { print(outcome.summary) }
        return outcome.best?.accuracy ?? 0
    }
}
