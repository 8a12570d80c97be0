Attribute VB_Name = "PotentielRibbon"
' Callbacks of the Potentiel ribbon tab (customUI/customUI14.xml in the add-in).
' Excel calls them with the clicked control; each runs the macro of the same name.
Option Explicit

Public Sub OnAnalyze(control As IRibbonControl)
    PotentielAnalyze
End Sub

Public Sub OnBuildSegments(control As IRibbonControl)
    PotentielBuildSegments
End Sub

Public Sub OnValidate(control As IRibbonControl)
    PotentielValidate
End Sub

Public Sub OnSyncNow(control As IRibbonControl)
    PotentielSyncNow
End Sub

Public Sub OnImportFormulas(control As IRibbonControl)
    PotentielImportFormulas
End Sub
